"""Workspaces: one company's folder, its ledger database and transactional imports."""

from tools.workspace.importer import FileReport, ImportReport, import_files
from tools.workspace.workspace import Workspace, init_workspace, open_workspace

__all__ = [
    "FileReport",
    "ImportReport",
    "Workspace",
    "import_files",
    "init_workspace",
    "open_workspace",
]
