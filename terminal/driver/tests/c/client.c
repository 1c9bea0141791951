/* An integrator's C client of libSSCardDriver: calls every function and checks the outputs
 * byte for byte. Usage: client MODE EXPECT_FILE HSM_PROGRAM KEYS
 *   MODE psam: a PSAM is configured; MODE hsm: no PSAM (HSM steps through HSM_PROGRAM).
 *   EXPECT_FILE: GBK lines — 1 the iReadCardBas string, 2 the iReadCardBas_HSM_Step2 string,
 *   3 the iReadCard output of line 5, 4 pCardInfo ("卡识别码|卡号|"), 5 a free-read file address.
 * Prints "c-client: N passed, 0 failed" and exits 0, or names the first failed check and exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "SSCardDriver.h"

static int passed = 0;
#define CHECK(cond, what)                                                        \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "c-client: FAILED %s (line %d): %s\n", what, __LINE__, \
                    #cond);                                                      \
            fprintf(stderr, "c-client: last output: %s\n", buf);                 \
            exit(1);                                                             \
        }                                                                        \
        passed++;                                                                \
    } while (0)

static char buf[SSCARD_FILE_OUT_MAX];
static char expect[5][512];
static const char *hsm_program, *keys;

static void trim(char *s) {
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
}

/* Field i (0-based) of a |-terminated string, into out. */
static void field(const char *s, int i, char *out, size_t cap) {
    while (i-- > 0 && (s = strchr(s, '|'))) s++;
    size_t n = 0;
    if (s)
        while (s[n] && s[n] != '|' && n + 1 < cap) n++;
    memcpy(out, s ? s : "", n);
    out[n] = 0;
}

/* Run the test HSM: sscard-test-hsm KEYS WHAT 'REQ' [RESET CARDID]; its answer into key. */
static void ask_hsm(const char *what, const char *req, char *key, size_t cap) {
    char cmd[2048], reset[64], cardid[64];
    field(expect[0], 5, reset, sizeof reset);
    field(expect[0], 3, cardid, sizeof cardid);
    snprintf(cmd, sizeof cmd, "'%s' '%s' %s '%s' %s %s", hsm_program, keys, what, req, reset, cardid);
    FILE *p = popen(cmd, "r");
    key[0] = 0;
    if (p) {
        if (!fgets(key, (int)cap, p)) key[0] = 0;
        pclose(p);
    }
    trim(key);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: client psam|hsm EXPECT_FILE HSM_PROGRAM KEYS\n");
        return 2;
    }
    int psam = strcmp(argv[1], "psam") == 0;
    hsm_program = argv[3];
    keys = argv[4];
    FILE *f = fopen(argv[2], "rb");
    if (!f) return 2;
    for (int i = 0; i < 5; i++) {
        if (!fgets(expect[i], sizeof expect[i], f)) expect[i][0] = 0;
        trim(expect[i]);
    }
    fclose(f);
    const char *card_info = expect[3];
    char key[512];
    long rc;

    /* Bad input: documented codes, a message, no crash. */
    CHECK(iReadCardBas(1, NULL) == -14, "NULL pOutInfo");
    CHECK(iReadCardBas(9, buf) == -14 && strstr(buf, "-14"), "iType 9");
    CHECK(iReadCard(1, 0, NULL, "SSSEEF05|07|$", buf) == -14, "NULL pCardInfo");
    CHECK(iReadCard(1, 0, "", NULL, buf) == -14, "NULL pFileAddr");
    CHECK(iReadCard(1, 0, "", "SSSEEF5|07|$", buf) == -14, "malformed file address");
    CHECK(iReadCard(1, 0, "", "SSSEEF05|ZZ|$", buf) == -14, "malformed tag");
    CHECK(iReadCard(1, 0, "", "SSSEEF05|EE|$", buf) == -23, "unknown tag");
    CHECK(iReadCard(1, 9, "", "SSSEEF05|07|$", buf) == -14, "iAuthType 9");
    CHECK(iReadCard(1, 0, "nothex|A|", "SSSEEF05|07|$", buf) == -20, "bad card id");
    CHECK(iWriteCard(1, "", "DF04EF05|81|$", NULL, buf) == -14, "NULL pWriteData");
    CHECK(iReadCardBas_HSM_Step2("00", buf) == -14, "Step2 without Step1");
    CHECK(iReadCardBas_HSM_Step2(NULL, buf) == -14, "NULL pKey");

    /* Free reads work in both modes. */
    rc = iReadCard(1, 0, "", expect[4], buf);
    CHECK(rc == 0 && strcmp(buf, expect[2]) == 0, "iReadCard free files");
    rc = iReadCard(1, 0, (char *)card_info, "SSSEEF05|07|$", buf);
    CHECK(rc == 0, "iReadCard with pCardInfo");
    CHECK(iVerifyPIN(1, buf) == 0 && buf[0] == 0, "iVerifyPIN (PIN-entry program)");
    CHECK(iChangePIN(1, buf) == 0, "iChangePIN");
    CHECK(Init("{\"IP\":\"127.0.0.1\",\"PORT\":\"8080\"}", buf) == 0, "Init");
    CHECK(Init("not json", buf) == -14, "Init bad JSON");
    CHECK(VerifyPIN(buf) == 0, "VerifyPIN");
    CHECK(ChangePIN(buf) == 0, "ChangePIN");

    if (psam) {
        rc = iReadCardBas(1, buf);
        CHECK(rc == 0 && strcmp(buf, expect[0]) == 0, "iReadCardBas byte-exact");
        CHECK(strlen(buf) < SSCARD_BAS_OUT_MAX, "iReadCardBas fits 256 bytes");
        rc = iReadCardBas(3, buf);
        CHECK(rc == 0 && strcmp(buf, expect[0]) == 0, "iReadCardBas iType 3");
        char busi[64] = "x";
        rc = ReadCardBas(buf, busi);
        CHECK(rc == 0 && strcmp(buf, expect[0]) == 0 && busi[0] == 0, "ReadCardBas façade");
        rc = iWriteCard(1, (char *)card_info, "DF04EF05|81|$", "31090000|$", buf);
        CHECK(rc == 0 && strcmp(buf, "DF04EF05|31090000|$") == 0, "iWriteCard");
        rc = iWriteCard(1, "", "DF04EF05|81|$", "310900001234|$", buf);
        CHECK(rc == -42, "iWriteCard too long: nothing written");
        rc = iReadCard(1, 2, "", "DF04EF05|81|$", buf);
        CHECK(rc == 0 && strcmp(buf, "DF04EF05|31090000|$") == 0, "iReadCard RK key (PSAM)");
        rc = iReadCard(1, 1, "", "DF04EF05|81|$", buf);
        CHECK(rc == 0 && strcmp(buf, "DF04EF05|31090000|$") == 0, "iReadCard PIN");
        CHECK(iUnblockPIN(1, (char *)card_info, buf) == 0, "iUnblockPIN");
        CHECK(iReloadPIN(1, (char *)card_info, buf) == 0, "iReloadPIN");
        CHECK(iVerifyPIN(1, buf) == 0, "iVerifyPIN after reload");

        /* Medical settlement through the PSAM, then the log. Bad pay info charges nothing. */
        char pay[] = "0.1|0.2|20261203101010|";
        CHECK(iDoDebit(1, (char *)card_info, "abc|0.2|20261203101010|", buf) == -14, "iDoDebit bad amount");
        CHECK(iDoDebit(1, (char *)card_info, "-1|0.2|20261203101010|", buf) == -14, "iDoDebit negative");
        CHECK(iDoDebit(1, (char *)card_info, "0.1|0.2|", buf) == -14, "iDoDebit no time");
        CHECK(iDoDebit(1, (char *)card_info, "0.1|0.2|20261399101010|", buf) == -14, "iDoDebit bad date");
        CHECK(iDoDebit(1, (char *)card_info, "0.123|0.2|20261203101010|", buf) == -14, "iDoDebit 3 decimals");
        CHECK(iDoDebit(1, "", pay, buf) == -14, "iDoDebit without pCardInfo");
        CHECK(iDoDebit(1, (char *)card_info, NULL, buf) == -14, "iDoDebit NULL pPayInfo");
        rc = iReadDebitRecord(1, buf);
        CHECK(rc == 0 && buf[0] == 0, "iReadDebitRecord: nothing charged yet");
        rc = iDoDebit(1, (char *)card_info, pay, buf);
        CHECK(rc == 0, "iDoDebit");
        char f0[64], f1[64], f2[64], f3[64], f4[64], f5[64];
        field(buf, 0, f0, sizeof f0);
        field(buf, 1, f1, sizeof f1);
        field(buf, 2, f2, sizeof f2);
        field(buf, 3, f3, sizeof f3);
        field(buf, 4, f4, sizeof f4);
        field(buf, 5, f5, sizeof f5);
        CHECK(strcmp(f0, "0") == 0 && strcmp(f1, "110100000001") == 0 && strcmp(f2, "1") == 0 &&
                  strcmp(f3, "20261203101010") == 0 && strlen(f4) == 8 && strlen(f5) == 8,
              "iDoDebit pOutInfo: counter|terminal|serial|time|TAC|MAC2|");
        rc = iReadDebitRecord(1, buf);
        CHECK(rc == 0 && strcmp(buf, "0|2|110100000001|20261203101010|0.00|0.10|0.20|") == 0,
              "iReadDebitRecord: the settlement");
        CHECK(strlen(buf) < SSCARD_RECORD_OUT_MAX, "iReadDebitRecord fits");
    } else {
        rc = iReadCardBas(1, buf);
        CHECK(rc == -2201 && strstr(buf, "-2201"), "iReadCardBas without PSAM: -2201");
        CHECK(iDoDebit(1, (char *)card_info, "0.1|0.2|20261203101010|", buf) == -2201,
              "iDoDebit without PSAM: -2201");
        char step1[SSCARD_HSM_OUT_MAX];
        rc = iReadCardBas_HSM_Step1(1, step1);
        strcpy(buf, step1);
        CHECK(rc == 0, "iReadCardBas_HSM_Step1");
        ask_hsm("bas", step1, key, sizeof key);
        rc = iReadCardBas_HSM_Step2(key, buf);
        CHECK(rc == 0 && strcmp(buf, expect[1]) == 0, "iReadCardBas_HSM_Step2 byte-exact");

        CHECK(iReadCard_HSM_Step1(1, "", "SSSEEF05|07|$", buf) == -2204, "HSM not needed");
        rc = iReadCard_HSM_Step1(1, (char *)card_info, "DF01EF05|21|$", step1);
        CHECK(rc == 0, "iReadCard_HSM_Step1");
        ask_hsm("auth", step1, key, sizeof key);
        rc = iReadCard_HSM_Step2(key, buf);
        CHECK(rc == 0 && strncmp(buf, "DF01EF05|", 9) == 0 && strlen(buf) > 12, "iReadCard_HSM_Step2");

        /* A file that reads freely on 2.00 and 3.00 (the read-back needs no second key). */
        rc = iWriteCard_HSM_Step1(1, "", "SSSEEF05|02|$", "3|$", step1);
        CHECK(rc == 0, "iWriteCard_HSM_Step1");
        ask_hsm("auth", step1, key, sizeof key);
        rc = iWriteCard_HSM_Step2(key, buf);
        CHECK(rc == 0 && strcmp(buf, "SSSEEF05|3|$") == 0, "iWriteCard_HSM_Step2");
        CHECK(iWriteCard_HSM_Step1(1, "", "SSSEEF05|02|$", "33|$", step1) == -42, "HSM write too long");

        char step2[SSCARD_HSM_OUT_MAX];
        CHECK(iUnblockPIN_HSM_Step1(1, (char *)card_info, step1) == 0, "iUnblockPIN_HSM_Step1");
        ask_hsm("auth", step1, key, sizeof key);
        CHECK(iUnblockPIN_HSM_Step2(key, step2) == 0, "iUnblockPIN_HSM_Step2");
        ask_hsm("mac", step2, key, sizeof key);
        CHECK(iUnblockPIN_HSM_Step3(key, buf) == 0, "iUnblockPIN_HSM_Step3");
        CHECK(iReloadPIN_HSM_Step1(1, (char *)card_info, step1) == 0, "iReloadPIN_HSM_Step1");
        ask_hsm("auth", step1, key, sizeof key);
        CHECK(iReloadPIN_HSM_Step2(key, step2) == 0, "iReloadPIN_HSM_Step2");
        ask_hsm("mac", step2, key, sizeof key);
        CHECK(iReloadPIN_HSM_Step3(key, buf) == 0, "iReloadPIN_HSM_Step3");
        CHECK(iVerifyPIN(1, buf) == 0, "iVerifyPIN after HSM reload");

        /* Medical settlement in HSM mode: the MAC1 request, the HSM's answer, the debit. The
         * psam run before debited this card once: the counter is 1 (the HSM's serial 0000‖1). */
        char hpay[] = "1.5|0.25|20261203111213|";
        CHECK(iDoDebit_HSM_Step1(1, (char *)card_info, "1.5|x|20261203111213|", step1) == -14,
              "iDoDebit_HSM_Step1 bad pPayInfo");
        rc = iDoDebit_HSM_Step1(1, (char *)card_info, hpay, step1);
        strcpy(buf, step1);
        CHECK(rc == 0, "iDoDebit_HSM_Step1");
        char h1[64], h4[64], h5[64], h6[64], h7[64];
        field(step1, 1, h1, sizeof h1);
        field(step1, 4, h4, sizeof h4);
        field(step1, 5, h5, sizeof h5);
        field(step1, 6, h6, sizeof h6);
        field(step1, 7, h7, sizeof h7);
        CHECK(strcmp(h1, "04B1") == 0 && strcmp(h4, "00000096") == 0 && strcmp(h5, "00000019") == 0 &&
                  strcmp(h6, "06110100000001") == 0 && strcmp(h7, "20261203111213") == 0,
              "iDoDebit_HSM_Step1 fields");
        ask_hsm("debit", step1, key, sizeof key);
        rc = iDoDebit_HSM_Step2(key, buf);
        CHECK(rc == 0 && strncmp(buf, "1|110100000001|1|20261203111213|", 32) == 0,
              "iDoDebit_HSM_Step2: counter|terminal|serial|time|TAC|MAC2|");
        CHECK(iDoDebit_HSM_Step2(key, buf) == -14, "iDoDebit_HSM_Step2 twice");
        rc = iReadDebitRecord(1, buf);
        CHECK(rc == 0 && strcmp(buf, "1|2|110100000001|20261203111213|0.00|1.50|0.25|"
                                     "0|2|110100000001|20261203101010|0.00|0.10|0.20|") == 0,
              "iReadDebitRecord after the HSM debit: newest first");
    }
    printf("c-client: %d passed, 0 failed\n", passed);
    return 0;
}
