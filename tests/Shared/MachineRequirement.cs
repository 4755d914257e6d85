namespace Pipelines.Tests.Shared;

/// <summary>
/// A test whose condition this machine cannot set up (a tool is missing, mounts are not allowed) skips
/// with the reason — except under <c>CI=true</c>, where that setup is part of what CI proves, so it
/// fails instead of passing unseen. Linked into every test project by <c>tests/Directory.Build.props</c>.
/// </summary>
internal static class MachineRequirement
{
    /// <summary>Skips the test with <paramref name="reason"/>, or fails it under <c>CI=true</c>.</summary>
    public static void Unmet(string reason)
    {
        var (fail, message) = Outcome(reason, Environment.GetEnvironmentVariable);
        if (fail)
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
    }

    /// <summary>What an unmet requirement does where <paramref name="getVariable"/> reads the environment: fail (under <c>CI=true</c>) or skip, and the message.</summary>
    public static (bool Fail, string Message) Outcome(string reason, Func<string, string?> getVariable) =>
        string.Equals(getVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? (true, $"CI=true: this test must run, but {reason}")
            : (false, reason);
}
