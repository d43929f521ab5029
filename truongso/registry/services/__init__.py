"""Writes on the shared education database. Every function checks permission through
``core.authz``, runs in one transaction and leaves an audit entry."""
