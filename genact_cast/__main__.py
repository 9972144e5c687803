from genact_cast.entry import main

main()
