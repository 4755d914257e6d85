using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Pipelines.Docker.Runtime;

/// <summary>
/// Makes an attempt's image present on the engine as its pull policy says — <c>Always</c> pulls, <c>IfNotPresent</c>
/// pulls when missing, <c>Never</c> never does — and, without a policy, as Kubernetes decides: <c>Always</c> for a
/// <c>:latest</c> or untagged image, else <c>IfNotPresent</c>. Credentials for the image's registry come from the Docker
/// config file (<c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>: its <c>auths</c>).
/// </summary>
public static class ImagePuller
{
    /// <summary>The policy that applies to <paramref name="image"/>.</summary>
    public static ImagePullPolicy Effective(ImagePullPolicy? policy, string image)
    {
        if (policy is { } p)
        {
            return p;
        }

        var name = image.Split('@')[0];
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        var tagged = colon > slash;
        return !tagged || name[(colon + 1)..] == "latest" ? ImagePullPolicy.Always : ImagePullPolicy.IfNotPresent;
    }

    /// <summary>True when the engine has <paramref name="image"/>.</summary>
    public static async Task<bool> IsPresentAsync(IDockerClient client, string image, CancellationToken cancellationToken)
    {
        try
        {
            await client.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Null when the image is there as the policy wants it; otherwise why it is not (for the attempt's loss).</summary>
    public static async Task<string?> EnsureAsync(IDockerClient client, string image, ImagePullPolicy? policy, CancellationToken cancellationToken)
    {
        var effective = Effective(policy, image);
        if (effective != ImagePullPolicy.Always && await IsPresentAsync(client, image, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        if (effective == ImagePullPolicy.Never)
        {
            return $"image '{image}' is not present on the engine and its pull policy is Never; build it ('images build') or pull it ('docker pull {image}')";
        }

        var error = await PullAsync(client, image, cancellationToken).ConfigureAwait(false);
        if (error is null)
        {
            return null;
        }

        // Always pulls even a present image: a registry that cannot be reached is no reason to fail when it is there.
        return effective == ImagePullPolicy.Always && await IsPresentAsync(client, image, cancellationToken).ConfigureAwait(false)
            ? null
            : $"image '{image}' could not be pulled: {error}; build it ('images build'), pull it yourself ('docker pull {image}'), or check its name and your registry login";
    }

    // Null once pulled, else the engine's error.
    private static async Task<string?> PullAsync(IDockerClient client, string image, CancellationToken cancellationToken)
    {
        string? error = null;
        var progress = new SyncProgress<JSONMessage>(message => error ??= message.Error?.Message);
        try
        {
            await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = image }, Credentials(image), progress, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            return Message(ex);
        }

        return error;
    }

    /// <summary>The engine's message in an API error: the <c>message</c> of its JSON body, else the body, else the status.</summary>
    public static string Message(DockerApiException ex)
    {
        if (ex.ResponseBody is { Length: > 0 } body)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.TryGetProperty("message", out var message) && message.GetString() is { } text)
                {
                    return text;
                }
            }
            catch (JsonException)
            {
            }

            return body.Trim();
        }

        return ex.StatusCode.ToString();
    }

    /// <summary>The credentials the Docker config file holds for the registry of <paramref name="image"/>, or none.</summary>
    public static AuthConfig? Credentials(string image, string? configFile = null)
    {
        configFile ??= Path.Combine(
            Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } folder ? folder : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker"),
            "config.json");
        var registry = Registry(image);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(configFile));
            if (!document.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var entry in auths.EnumerateObject())
            {
                if (Host(entry.Name) != registry || !entry.Value.TryGetProperty("auth", out var auth) || auth.GetString() is not { } encoded)
                {
                    continue;
                }

                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                return colon < 0 ? null : new AuthConfig { Username = pair[..colon], Password = pair[(colon + 1)..], ServerAddress = entry.Name };
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or FormatException)
        {
            // No config file, or one that cannot be read: pull without credentials, as the Docker CLI does.
        }

        return null;
    }

    // The registry host of an image reference: docker.io for names without one.
    private static string Registry(string image)
    {
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? string.Empty : image[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" ? first : "docker.io";
    }

    private static string Host(string entry)
    {
        var host = entry.Replace("https://", string.Empty, StringComparison.Ordinal).Replace("http://", string.Empty, StringComparison.Ordinal).Split('/')[0];
        return host is "index.docker.io" or "registry-1.docker.io" ? "docker.io" : host;
    }
}
