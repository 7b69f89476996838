"""Residents' rights over their personal information (个人信息保护法): the access log, export, 注销, retention."""
