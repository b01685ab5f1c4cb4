using Bpm.Cli;

return BpmCli.Run(args);
