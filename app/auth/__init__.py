"""Authentication (WeChat login, tokens, console tickets) and area scope."""
from app.auth.viewer import STAFF_ROLES, Viewer, current_viewer, optional_viewer, subtree_ids_select

__all__ = ["STAFF_ROLES", "Viewer", "current_viewer", "optional_viewer", "subtree_ids_select"]
