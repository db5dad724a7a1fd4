/*
 * Runs every test in its own forked process (a fresh plugin instance each) and prints
 * "N passed, M failed"; exits 1 when anything failed or a test died.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "tests.h"

int harness_passed, harness_failed;

void harness_check(int ok, const char *file, int line, const char *fmt, ...) {
    if (ok) { harness_passed++; return; }
    harness_failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "    FAIL %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

#define TEST(fn) {#fn, fn},
static const struct { const char *name; void (*run)(void); } tests[] = {ALL_TESTS};

int main(int argc, char **argv) {
    const char *only = argc > 1 ? argv[1] : NULL; /* optional: run tests whose name contains it */
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (only && !strstr(tests[i].name, only)) continue;
        int pipefd[2];
        if (pipe(pipefd) != 0) { perror("pipe"); return 2; }
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0) { perror("fork"); return 2; }
        if (pid == 0) {
            close(pipefd[0]);
            stub_begin_call();
            tests[i].run();
            int counts[2] = {harness_passed, harness_failed};
            if (write(pipefd[1], counts, sizeof counts) != sizeof counts) _exit(4);
            _exit(0);
        }
        close(pipefd[1]);
        int counts[2] = {0, 0}, status = 0;
        ssize_t got = read(pipefd[0], counts, sizeof counts);
        close(pipefd[0]);
        waitpid(pid, &status, 0);
        int died = got != (ssize_t)sizeof counts || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
        if (died) {
            fprintf(stderr, "    %s died (%s %d)\n", tests[i].name, WIFSIGNALED(status) ? "signal" : "exit status",
                    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            counts[1]++;
        }
        printf("%-4s %s (%d checks)\n", counts[1] ? "FAIL" : "ok", tests[i].name, counts[0] + counts[1]);
        passed += counts[0];
        failed += counts[1];
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
