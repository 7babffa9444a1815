"""Answers for exercise 2.1.5 (shown by `tracker solution 2.1.5` after a pass).

Control and operational burden fall from Build-Your-Own through Integrated Deployment to
Inference-as-a-Service; time to a first production request falls the other way. Per-token pricing wins at
low or spiky traffic, dedicated GPUs at high sustained utilization, once the people who run them are
counted too.
"""

Q1_MODEL = {"a": "byo", "b": "iaas", "c": "integrated", "d": "byo", "e": "iaas", "f": "integrated"}

Q2_CONTROL_ORDER = ["byo", "integrated", "iaas"]

Q3_SPEED_ORDER = ["iaas", "integrated", "byo"]

# 2.50 $/h x 730 h = 1,825 $ per month; 1,825 / (0.60 $ / 1e6 tokens) = 3.04e9 tokens per month.
Q4_BREAK_EVEN = 2.50 * 730 / 0.60 * 1e6

# Capacity: 1,500 tokens/s x 730 h x 3,600 s/h = 3.942e9 tokens; 3.04e9 / 3.942e9 = 0.77.
Q5_UTILIZATION = Q4_BREAK_EVEN / (1500 * 730 * 3600)

Q6_TRUE_FALSE = {"a": True, "b": True, "c": False, "d": True, "e": False}
