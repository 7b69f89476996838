"""Figures (统计口径), the monthly report and exports for staff and administrators."""
