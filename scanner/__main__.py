from scanner.start import main

main()
