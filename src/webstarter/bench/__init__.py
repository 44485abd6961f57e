"""`webstarter bench`: measured throughput, latency and memory of the starters next to their
bare frameworks, and the notes API's reliability under concurrent reads and writes."""
