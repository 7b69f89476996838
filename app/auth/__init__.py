"""Authentication (WeChat login, tokens, console tickets) and area scope."""
from app.auth.viewer import (ADMIN_ROLES, AREA_ROLES, STAFF_ROLES, Viewer, current_viewer, optional_viewer,
                             subtree_ids_select)

__all__ = ["ADMIN_ROLES", "AREA_ROLES", "STAFF_ROLES", "Viewer", "current_viewer", "optional_viewer",
           "subtree_ids_select"]
