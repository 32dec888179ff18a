"""Replicate a hub: export it to one bundle file, import the bundle on any target."""
