"""Reference answers for exercise 1.4.6 (shown by `tracker solution 1.4.6` after a pass).

A typical call: trtexec --onnx=model.onnx --saveEngine=model.plan --fp16 --minShapes=x:1x3x224x224
--optShapes=x:8x3x224x224 --maxShapes=x:32x3x224x224, then trtexec --loadEngine=model.plan to time it.
"""

WHAT_IT_DOES = "a"
SAVE_FLAG = "--saveEngine"
LOAD_FLAG = "--loadEngine"
SHAPE_FLAGS = {"--minShapes", "--optShapes", "--maxShapes"}
TRUE_STATEMENTS = {"A", "B", "E"}
