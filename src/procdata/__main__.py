from procdata.cli import main

main()
