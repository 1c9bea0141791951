/* driver-bas: N calls of iReadCardBas through libSSCardDriver in one process; prints the mean
 * time per call in microseconds. Usage: driver-bas N. Exit 1 when a call fails. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "SSCardDriver.h"

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100;
    char out[SSCARD_BAS_OUT_MAX];
    struct timespec t0, t1;
    if (iReadCardBas(1, out) != 0) { fprintf(stderr, "%s\n", out); return 1; } /* warm-up */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++)
        if (iReadCardBas(1, out) != 0) { fprintf(stderr, "%s\n", out); return 1; }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / n;
    printf("%.1f\n", us);
    return 0;
}
