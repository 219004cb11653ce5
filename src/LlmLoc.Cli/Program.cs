// Placeholder entry point; the System.CommandLine front end replaces it.
return 0;
