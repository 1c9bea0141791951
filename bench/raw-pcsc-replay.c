/*
 * raw-pcsc-replay: the floor for a card read through PC/SC — a plain C client that connects to a
 * reader, sends a fixed list of APDUs and disconnects, with nothing else in between.
 *
 *   raw-pcsc-replay READER APDUS.hex [RUNS [READER2]]
 *
 * APDUS.hex holds one C-APDU per line in hex (spaces allowed), e.g. the legs of `sscard -v info`
 * (GET RESPONSE legs included, so no T=0 logic is needed here). A line may end in `:SSSS`, the
 * status word that answer must have (e.g. `:6A82` for a probe SELECT of an absent file); without
 * it the answer must end in 90 00 or 61 xx. Any other answer makes the client exit 1. A line
 * starting with `P ` goes to READER2 (the PSAM reader; both are connected per run, so a read
 * that uses a PSAM is replayed with the same card AND PSAM APDUs). With RUNS > 1 the whole
 * connect/APDUs/disconnect cycle is repeated in-process (the bench times whole processes with
 * RUNS = 1). Exit 0 on success.
 *
 * Built by scripts/bench-pcsc.sh: cc -O2 $(pkg-config --cflags libpcsclite) raw-pcsc-replay.c
 *   $(pkg-config --libs libpcsclite)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <winscard.h>

#define MAX_APDUS 64
#define MAX_APDU 261

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = toupper(c);
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parse one line of hex into out; returns the length or -1. */
static int parse_hex(const char *line, unsigned char *out, int max) {
    int n = 0, hi = -1;
    for (const char *p = line; *p; p++) {
        if (isspace((unsigned char)*p)) continue;
        int v = hexval((unsigned char)*p);
        if (v < 0) return -1;
        if (hi < 0) { hi = v; continue; }
        if (n >= max) return -1;
        out[n++] = (unsigned char)(hi << 4 | v);
        hi = -1;
    }
    return hi < 0 ? n : -1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s READER APDUS.hex [RUNS]\n", argv[0]);
        return 2;
    }
    const char *reader = argv[1];
    int runs = argc > 3 ? atoi(argv[3]) : 1;
    static unsigned char apdu[MAX_APDUS][MAX_APDU];
    int len[MAX_APDUS], expect[MAX_APDUS], on2[MAX_APDUS], count = 0;
    const char *reader2 = argc > 4 ? argv[4] : NULL;
    FILE *f = fopen(argv[2], "r");
    if (!f) { perror(argv[2]); return 2; }
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (count == MAX_APDUS) { fprintf(stderr, "too many APDUs\n"); fclose(f); return 2; }
        char *hex = line;
        on2[count] = 0;
        if (line[0] == 'P' && line[1] == ' ') { on2[count] = 1; hex = line + 2; }
        expect[count] = -1;
        char *colon = strchr(hex, ':');
        if (colon) { *colon = 0; expect[count] = (int)strtol(colon + 1, NULL, 16); }
        if (on2[count] && !reader2) { fprintf(stderr, "PSAM line but no READER2\n"); fclose(f); return 2; }
        int n = parse_hex(hex, apdu[count], MAX_APDU);
        if (n < 0) { fprintf(stderr, "bad hex line: %s", line); fclose(f); return 2; }
        if (n == 0) continue;
        len[count++] = n;
    }
    fclose(f);

    SCARDCONTEXT ctx;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
    if (rv != SCARD_S_SUCCESS) { fprintf(stderr, "SCardEstablishContext: %s\n", pcsc_stringify_error(rv)); return 1; }
    int status = 0;
    for (int r = 0; r < runs && status == 0; r++) {
        SCARDHANDLE card[2];
        DWORD proto[2];
        const SCARD_IO_REQUEST *pci[2];
        int handles = reader2 ? 2 : 1;
        for (int h = 0; h < handles && status == 0; h++) {
            rv = SCardConnect(ctx, h ? reader2 : reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card[h], &proto[h]);
            if (rv != SCARD_S_SUCCESS) { fprintf(stderr, "SCardConnect: %s\n", pcsc_stringify_error(rv)); status = 1; handles = h; break; }
            pci[h] = proto[h] == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
        }
        for (int i = 0; i < count && status == 0; i++) {
            unsigned char resp[258];
            DWORD rlen = sizeof resp;
            int h = on2[i];
            rv = SCardTransmit(card[h], pci[h], apdu[i], (DWORD)len[i], NULL, resp, &rlen);
            if (rv != SCARD_S_SUCCESS) { fprintf(stderr, "SCardTransmit: %s\n", pcsc_stringify_error(rv)); status = 1; break; }
            int sw = rlen >= 2 ? resp[rlen - 2] << 8 | resp[rlen - 1] : -2;
            int ok = expect[i] >= 0 ? sw == expect[i] : (sw == 0x9000 || (sw >> 8) == 0x61);
            if (!ok) {
                fprintf(stderr, "APDU %d answered %02X%02X\n", i + 1, rlen >= 2 ? resp[rlen - 2] : 0, rlen >= 2 ? resp[rlen - 1] : 0);
                status = 1;
                break;
            }
        }
        for (int h = 0; h < handles; h++) SCardDisconnect(card[h], SCARD_LEAVE_CARD);
    }
    SCardReleaseContext(ctx);
    return status;
}
