using Pipelines.Hosting;

// The small host program: every IPipeline in this assembly, behind the `pipelines` command line.
return await PipelineHost.RunAsync(args, typeof(Program).Assembly);
