/* Helpers shared by the signal kernels. */
#ifndef IA_SIGNAL_UTIL_H
#define IA_SIGNAL_UTIL_H

/* Whether `dt` is one of the numeric output types the window and mel operators allow. */
int ia_signal_output_dtype_ok(int dt);

#endif
