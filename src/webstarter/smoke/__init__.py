"""The smoke harness behind `webstarter smoke`: prove that templates produce projects that
install, pass their tests, serve and build their container.

Modules: plan (options to a checked run), matrix (which cells), runner (a cell's steps and
the whole run), probes and hostile (what a server must answer), processes (child processes
and ports), venvs (installs), leftovers (unrendered template syntax), postgres (databases for
the cells, and a throw-away server), containers and container_step (Docker), reports (JSON and
JUnit). Nothing is imported here, so `import webstarter.smoke.matrix` stays cheap.
"""
