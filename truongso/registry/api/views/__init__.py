"""API view sets of the registry, one thin module per resource."""
