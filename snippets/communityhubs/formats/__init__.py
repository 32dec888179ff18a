"""The native forms a spec section is written in, below the sections that write them:
`jupyterhub_config.py` lines (`python_lines`), `tljh-config` commands with the Python file's
lines for what they cannot say (`tljh_commands`), and Zero to JupyterHub values (`helm_values`).
Nothing here knows a spec key's meaning; `communityhubs.sections` does."""
