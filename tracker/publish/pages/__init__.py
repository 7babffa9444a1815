"""The progress site: a static website of the journey, for GitHub Pages or any folder on disk.

``tracker site`` builds it into ``docs/`` (``[site] dir``); with ``[site] enabled = true`` it is rebuilt and
committed with the README, the captain's log and the heatmap. The pages come from the curriculum and the
journal alone, like the README, so the same history always gives the same bytes.
"""
