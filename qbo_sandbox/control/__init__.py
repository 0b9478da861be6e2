"""The sandbox's control plane: knobs a test turns (latency, lifetimes, throttle limits), injected
faults (a WSGI gate in front of the API), Intuit's rate limits, and the /_sandbox endpoints."""
