#include <llama.h>
#include <gguf.h>
// libmtmd: images (through a vision model's multimodal projector) into a llama context.
#include <mtmd.h>
#include <mtmd-helper.h>
