"""The agent: LangGraph planner, tool adapters, approval gate and execution ledger."""
