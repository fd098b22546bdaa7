from vault_tool.cli.entry import main

main()
