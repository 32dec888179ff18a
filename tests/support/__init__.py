"""What the tests share: paths, what a test needs from this machine, hubs to ask questions of,
upstream checks and their stored proofs. Test modules import from here, never from each other."""
