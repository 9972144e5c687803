from genact_cast.cli import main

main()
