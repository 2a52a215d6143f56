"""Knowledge base on Chroma: policies, playbooks and past decisions, with citations."""
