"""Parameters of notebooks/builders.ipynb (see analysis/site/params/__init__.py)."""

from analysis.site.params import Param

# The labs of the seed's advice ("Explore the Little Dragons": Alibaba's Qwen, DeepSeek, Moonshot's Kimi) with the
# other Chinese labs the data rank, and their US counterparts; organization names as the registry spells them
# (data/curated/organizations.csv). Google's Gemini API is 'Google' in the price trackers, its models 'Google
# DeepMind' in Epoch's files: both are listed.
CN_LABS = ["DeepSeek", "Alibaba", "Moonshot AI", "Z.ai", "MiniMax", "ByteDance", "StepFun", "Tencent"]
US_LABS = ["OpenAI", "Anthropic", "Google DeepMind", "Google", "xAI", "Meta"]
FAMILIES = ["coding", "agentic_coding", "math", "long_context", "reasoning"]


def organizations() -> tuple[str, ...] | None:
    """The registry's organization names."""
    from analysis.curated import registry

    try:
        return tuple(sorted(registry.load().orgs))
    except (OSError, ValueError):
        return None


def families() -> tuple[str, ...]:
    from analysis.clean.tasks import FAMILIES as ALL

    return ALL


SPEC = [
    Param("labs", "list", CN_LABS + US_LABS, "organizations given a card (registry names)", choices=organizations,
          item="choice"),
    Param("families", "list", FAMILIES, "task families compared", choices=families, item="choice"),
    Param("as_of", "date", None, "the date the data are read to (files and model releases); None: all the data",
          optional=True),
    Param("top_k", "int", 5, "'top-tier': rank at release within the best k models (or within the benchmark's "
          "uncertainty of the best)", low=1, high=100),
    Param("min_field", "int", 10, "a rank at release counts only among at least this many models", low=1, high=1000),
]
