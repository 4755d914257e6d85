namespace Pipelines.Processes;

/// <summary>
/// An attempt cannot be started as defined (a missing secret, a config map, no program); its
/// <see cref="Exception.Message"/> becomes the reason of <see cref="Execution.Runtimes.AttemptResult.Lost"/>. Never holds a secret value.
/// </summary>
internal sealed class AttemptLostException(string reason) : Exception(reason);
