"""Exercise 2.1.5 (quiz): deployment models, their trade-offs, and a cost break-even.

Three ways to put an LLM into production, with the short names used in the answers:

* ``"byo"``: Build-Your-Own. You run the whole stack (GPUs, Kubernetes, engine, routing): maximum
  flexibility and control, maximum operational burden.
* ``"integrated"``: Integrated Deployment. A managed serving platform in your own cloud account runs your
  model (you pick the model and the instances; the platform provides the serving stack and autoscaling).
* ``"iaas"``: Inference-as-a-Service. You call a provider's API and pay per token; the provider runs
  everything.

Fill in the answers below (replace each ``None``) and run ``tracker grade 2.1.5``. Each question is graded
on its own; a wrong answer comes back with an explanation. Strings are compared case-insensitively.

Q1_MODEL: which model suits each organization best? A dict mapping each letter "a" to "f" to "byo",
"integrated" or "iaas".
  a. A bank whose prompts may not leave its own data centre; it has a platform team and needs custom
     kernels.
  b. A two-person startup prototyping a chatbot, with low and unpredictable traffic and no infrastructure
     staff.
  c. An enterprise that wants to serve its own fine-tuned model in its own cloud account, with managed
     autoscaling, and has a small ML-ops team.
  d. A research lab that modifies the attention kernels and the scheduler of the engine itself.
  e. A team that needs a proprietary frontier model offered only through its vendor's API.
  f. A company that wants to choose its instance types and network setup but not build model-server
     images and autoscaling itself.

Q2_CONTROL_ORDER: the three short names as a list, from the most control to the least.

Q3_SPEED_ORDER: the three short names as a list, from the fastest to the slowest way to serve a first
production request.

Q4_BREAK_EVEN: a dedicated GPU costs $2.50 per hour and is paid for all 730 hours of a month. An API
charges $0.60 per million tokens. At how many tokens per month do the two cost the same? A number of
tokens (e.g. ``1.5e9``), graded within 1 % (relative).

Q5_UTILIZATION: that GPU serves at most 1,500 tokens per second. At the break-even volume of Q4, what
fraction of its monthly capacity is used? A fraction between 0 and 1, graded within 1 % (relative).

Q6_TRUE_FALSE: a dict mapping "a" to "e" to True or False (Python booleans).
  a. With Inference-as-a-Service, cost follows usage: idle time costs nothing.
  b. With Build-Your-Own, the GPUs cost the same per hour whether they serve traffic or not.
  c. With Inference-as-a-Service you can tune the engine's batching and quantization settings.
  d. The higher and steadier the traffic, the more self-hosting beats paying per token.
  e. The GPU-hour price is the whole cost of Build-Your-Own.
"""

Q1_MODEL = None

Q2_CONTROL_ORDER = None

Q3_SPEED_ORDER = None

Q4_BREAK_EVEN = None

Q5_UTILIZATION = None

Q6_TRUE_FALSE = None
