namespace Pipelines.Docker.Rendering;

/// <summary>A named Docker volume an attempt's container mounts.</summary>
/// <param name="Name">The volume name.</param>
/// <param name="PerAttempt">
/// True for a volume that belongs to one attempt (its output, its secret files): created for it,
/// labelled with <paramref name="Labels"/>, removed with the container. False for a shared,
/// persistent volume (<see cref="Volume.Named"/>): created if missing and never removed.
/// </param>
/// <param name="Labels">The labels a per-attempt volume is created with (the attempt's identity); empty for shared volumes.</param>
public sealed record DockerVolume(string Name, bool PerAttempt, ImmutableSortedDictionary<string, string> Labels);
