using Pipelines.Hosting;

return await PipelineHost.RunAsync(args, typeof(Program).Assembly);
