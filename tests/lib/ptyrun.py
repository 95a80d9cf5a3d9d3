#!/usr/bin/env python3
"""ptyrun.py: run a command on a new terminal, type a line when it prompts.

    python3 ptyrun.py OUT PROMPT LINE CMD [ARG...]

CMD's standard input, output and error are the terminal. When PROMPT
appears in what it writes, LINE and a newline are typed. Everything the
terminal shows (CMD's output and the terminal's echo of what was typed)
goes to the file OUT; the exit status is CMD's (124 when PROMPT never came
within 20 s, or CMD did not end within 60 s). LINE "^C" types the
terminal's interrupt character instead, and OUT then ends with the line
"[echo on]" or "[echo off]": the terminal's echo once CMD has ended; the
exit status is then 128 + the signal that ended CMD.
"""
import os
import pty
import select
import sys
import termios
import time


def main():
    out, prompt, line = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[4], sys.argv[4:])
    seen = b""
    typed = False
    start = time.monotonic()
    while True:
        if time.monotonic() - start > (60 if typed else 20):
            os.kill(pid, 9)
            break
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:        # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        if not typed and prompt in seen:
            os.write(fd, b"\x03" if line == b"^C" else line + b"\n")
            typed = True
    _, status = os.waitpid(pid, 0)
    if line == b"^C":
        lflag = termios.tcgetattr(fd)[3]
        seen += b"\n[echo on]\n" if lflag & termios.ECHO else b"\n[echo off]\n"
        if typed and os.WIFSIGNALED(status):
            with open(out, "wb") as f:
                f.write(seen)
            sys.exit(128 + os.WTERMSIG(status))
    with open(out, "wb") as f:
        f.write(seen)
    if not typed:
        sys.exit(124)
    if os.WIFSIGNALED(status):
        sys.exit(124)
    sys.exit(os.WEXITSTATUS(status))


main()
