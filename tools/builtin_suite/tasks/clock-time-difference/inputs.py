"""Test inputs of builtin/clock-time-difference; expected values come from reference.py."""

from tools.builtin_suite.cases import io, shared_rng

r = shared_rng(303)  # the medium stdio tasks' stream: see shared_rng

EXAMPLE = "2\n09:15 10:00\n23:30 00:15\n"

VISIBLE = [io("1\n09:15 10:00\n", name="same day"), io("1\n00:00 23:59\n", name="whole day"),
           io("1\n12:00 12:00\n", name="equal times")]

HIDDEN = [io("1\n23:30 00:15\n"), io("1\n10:00 09:15\n"), io("2\n00:01 00:00\n00:00 00:01\n"), io("1\n13:45 01:05\n"),
          io("500\n" + "".join(f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}\n"
                               for _ in range(500))),
          io("1\n23:59 00:00\n"), io("1\n06:30 18:30\n"), io("1\n18:30 06:30\n"), io("1\n00:00 00:00\n")]
