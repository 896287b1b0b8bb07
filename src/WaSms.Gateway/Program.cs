using WaSms.Gateway.Cli;

return await GatewayCli.RunAsync(args, Environment.GetEnvironmentVariables(), Console.Out, Console.Error, CancellationToken.None);
