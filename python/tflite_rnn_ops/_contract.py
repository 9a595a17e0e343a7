"""The op contract, mirrored from ``cc/include/tflite_rnn_ops/ops.h`` (a test keeps them equal).

Documented for users in ``docs/ops.md``.
"""

OP_PREFIX = "TFLiteRnnOps>"
LSTM_OP = "TFLiteRnnOps>LSTM"
GRU_OP = "TFLiteRnnOps>GRU"
RNN_OP = "TFLiteRnnOps>RNN"
# Highest version this package reads and writes. Version 1: LSTM/GRU/RNN, masks, initial states,
# directions. Version 2: TF1 LSTM extras (peepholes, projection, clipping), "lengths" masks and
# "stateful" (state kept in variable tensors). Version 3: float16 and int8 weight matrices
# (kernel, recurrent_kernel, projection). Version 4: "column_scales", an int8 op's per-column
# scales as float16 / float32 inputs after all the others, and its activation rows centred. Each is written only for ops that use
# it.
CONTRACT_VERSION = 4
BASE_VERSION = 1
QUANTIZED_WEIGHTS_VERSION = 3
COLUMN_SCALES_VERSION = 4

# Attribute keys of the op's flexbuffer options.
ATTR_VERSION = "version"
ATTR_UNITS = "units"
ATTR_ACTIVATION = "activation"
ATTR_RECURRENT_ACTIVATION = "recurrent_activation"
ATTR_TIME_MAJOR = "time_major"
ATTR_GO_BACKWARDS = "go_backwards"
ATTR_RETURN_SEQUENCES = "return_sequences"
ATTR_ZERO_OUTPUT_FOR_MASK = "zero_output_for_mask"
ATTR_MASK = "mask"
ATTR_INITIAL_STATE = "initial_state"
ATTR_RESET_AFTER = "reset_after"
ATTR_DIRECTION = "direction"
ATTR_MERGE_MODE = "merge_mode"
ATTR_USE_PEEPHOLES = "use_peepholes"
ATTR_CELL_CLIP = "cell_clip"
ATTR_NUM_PROJ = "num_proj"
ATTR_PROJ_CLIP = "proj_clip"
ATTR_STATEFUL = "stateful"
ATTR_COLUMN_SCALES = "column_scales"

MASK_NONE = "none"
MASK_STEPS = "steps"
MASK_LENGTHS = "lengths"

DIRECTION_FORWARD = "forward"
DIRECTION_REVERSE = "reverse"
DIRECTION_BIDIRECTIONAL = "bidirectional"
MERGE_MODES = ("concat", "sum", "mul", "ave", "none")

# Activations the kernels implement, with Keras 3 definitions.
ACTIVATIONS = (
    "tanh", "sigmoid", "relu", "hard_sigmoid", "linear", "relu6", "elu", "selu", "softplus",
    "softsign", "silu", "swish", "gelu", "exponential", "hard_silu", "hard_swish", "mish",
    "log_sigmoid", "leaky_relu", "hard_tanh", "tanh_shrink", "soft_shrink", "hard_shrink",
    "sparse_plus", "squareplus", "celu", "sparse_sigmoid",
)

LSTM_REQUIRED_INPUTS = ("x", "kernel", "recurrent_kernel", "bias")
LSTM_OUTPUTS = ("output", "h", "c")
