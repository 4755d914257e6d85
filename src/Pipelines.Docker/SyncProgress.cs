namespace Pipelines.Docker;

/// <summary>
/// Reports each value to <paramref name="report"/> on the reporting thread, at once — unlike <see cref="Progress{T}"/>, which
/// posts to a context, so an error a pull or import stream reports is seen before its call returns.
/// </summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
