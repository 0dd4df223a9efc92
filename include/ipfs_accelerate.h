/* ipfs-accelerate: the whole public API. Include this one header. */
#ifndef IPFS_ACCELERATE_H
#define IPFS_ACCELERATE_H

#include "ia/status.h"
#include "ia/log.h"
#include "ia/alloc.h"
#include "ia/threadpool.h"
#include "ia/tensor.h"
#include "ia/model.h"
#include "ia/session.h"
#include "ia/store.h"
#include "ia/hw.h"
#include "ia/bench.h"
#include "ia/tokenizer.h"
#include "ia/generate.h"
#include "ia/text_tasks.h"
#include "ia/seq2seq.h"
#include "ia/model_dir.h"

#define IA_VERSION_MAJOR 0
#define IA_VERSION_MINOR 1
#define IA_VERSION_PATCH 0
#define IA_VERSION_STRING "0.1.0"

#endif
