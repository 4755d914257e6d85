using Pipelines.Tool;

// The `pipelines` .NET tool: `pipelines new`, or build the project here and run its host with the arguments.
return await ToolProgram.RunAsync(args, Environment.CurrentDirectory, Console.Out, Console.Error);
