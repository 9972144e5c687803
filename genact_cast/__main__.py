"""`python -m genact_cast`: the program, with Ctrl-C caught from its first line."""

try:
    from genact_cast.entry import interrupted, main
except KeyboardInterrupt:
    import sys

    sys.stderr.write("genact-cast: interrupted\n")
    raise SystemExit(130) from None

try:
    main()
except KeyboardInterrupt:
    interrupted()
