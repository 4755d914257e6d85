using System.CommandLine;
using Pipelines.Docker.Images;
using Pipelines.Docker.Runtime;
using Pipelines.Resolution;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>images build DAG [--env NAME] [--force]</c>: makes every image a DAG names on the Docker engine, as a static busybox
/// image (<see cref="BusyboxImage"/>) — for the examples and for trying the Docker runtime where no registry is reachable.
/// An image already there is left alone unless <c>--force</c>. Your own images: <c>docker build</c> or <c>docker pull</c>.
/// </summary>
internal static class ImagesCommand
{
    public static Command Create(HostContext context)
    {
        var dag = CommonOptions.DagArgument("The DAG whose images to build.");
        var environment = CommonOptions.Environment();
        var force = new Option<bool>("--force") { Description = "Build images the engine already has, too." };
        var busybox = new Option<string>("--busybox")
        {
            Description = "The static busybox to put in the images.",
            DefaultValueFactory = _ => BusyboxImage.DefaultBusybox,
        };
        var build = new Command("build", "Build every image of a DAG on the Docker engine from a static busybox (FROM scratch), tagged as the DAG names it.")
        {
            dag, environment, force, busybox,
        };
        build.SetAction((result, cancellationToken) => RunAsync(
            context, result.GetValue(dag)!, result.GetValue(environment), result.GetValue(force), result.GetValue(busybox)!, cancellationToken));
        return new Command("images", "Images for the Docker runtime.") { build };
    }

    private static async Task<int> RunAsync(HostContext context, string dagId, string? environmentName, bool force, string busybox, CancellationToken cancellationToken)
    {
        var dag = context.ValidDagOrReport(dagId);
        var run = dag is null ? null : context.RunOrReport(dag, RunDate.Of(DateOnly.FromDateTime(DateTime.UtcNow)), environmentName, new Dictionary<string, string>());
        if (run is null)
        {
            return ExitCodes.UsageError;
        }

        var images = new List<string>();
        foreach (var task in dag!.Tasks)
        {
            try
            {
                var image = TaskResolver.Preview(run, task).Task.Image;
                if (!images.Contains(image, StringComparer.Ordinal))
                {
                    images.Add(image);
                }
            }
            catch (PipelineDefinitionException ex)
            {
                context.WriteProblems(dagId, ex.Problems, context.Error);
                return ExitCodes.UsageError;
            }
        }

        if (BusyboxImage.Problem(busybox) is { } problem)
        {
            context.Error.WriteLine($"No image built: {problem}.");
            return ExitCodes.Failure;
        }

        var engine = DockerEngine.For(run.Environment);
        try
        {
            using var client = await engine.ConnectAsync(DockerEngine.ProbeTimeout, cancellationToken).ConfigureAwait(false);
            foreach (var image in images)
            {
                if (image.Contains('@', StringComparison.Ordinal))
                {
                    context.Error.WriteLine($"skipped {image}: it is named by its digest, which a built image cannot have; pull it ('docker pull {image}')");
                    continue;
                }

                if (!force && await ImagePuller.IsPresentAsync(client, image, cancellationToken).ConfigureAwait(false))
                {
                    context.Out.WriteLine($"present {image} (--force builds it again)");
                    continue;
                }

                await BusyboxImage.ImportAsync(client, image, busybox, cancellationToken).ConfigureAwait(false);
                context.Out.WriteLine($"built   {image} (busybox from {busybox}, FROM scratch)");
            }
        }
        catch (DockerUnreachableException ex)
        {
            context.Error.WriteLine($"No image built: {ex.Message}. Start an engine ('dockerd', or 'sudo systemctl start docker') or point docker.endpoint in pipelines.json or DOCKER_HOST at one.");
            return ExitCodes.Failure;
        }
        catch (InvalidOperationException ex)
        {
            context.Error.WriteLine($"Image not built: {ex.Message}.");
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }
}
