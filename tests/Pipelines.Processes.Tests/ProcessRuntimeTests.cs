using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Pipelines.Execution;
using Pipelines.Execution.Runtimes;

namespace Pipelines.Processes.Tests;

[SupportedOSPlatform("linux")]
public sealed class ProcessRuntimeTests : IDisposable
{
    private readonly ProcessTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task The_exit_code_is_the_result(int code)
    {
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", $"exit {code}"));

        var result = await _bed.RunAsync(attempt);

        Assert.Equal(AttemptResult.Exited(code), result);
    }

    [Fact]
    public async Task Stdout_and_stderr_lines_reach_the_sink_in_order_within_each_stream()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "for i in 1 2 3; do echo out$i; echo err$i >&2; done"));

        await _bed.RunAsync(attempt, sink);

        var lines = sink.Lines;
        Assert.Equal(["out1", "out2", "out3"], lines.Where(l => l.StartsWith("out", StringComparison.Ordinal)));
        Assert.Equal(["err1", "err2", "err3"], lines.Where(l => l.StartsWith("err", StringComparison.Ordinal)));
        Assert.Equal(6, lines.Count);
    }

    [Fact]
    public async Task The_handle_is_the_pid_and_its_start_time_and_is_reported_before_the_end()
    {
        var sink = new RecordingSink();
        // $$$$: a pod reduces $$ to $, and so does the process runtime, for parity.
        // The handle is the shim's, the task's parent.
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "echo $$PPID"));

        await _bed.RunAsync(attempt, sink);

        var match = Regex.Match(sink.Handle ?? "", "^pid:([0-9]+):start:([0-9]+)$");
        Assert.True(match.Success, sink.Handle);
        Assert.Equal(match.Groups[1].Value, Assert.Single(sink.Lines));
    }

    [Fact]
    public async Task The_output_file_content_is_returned_raw()
    {
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "printf '{\"rows\": 3}' > \"$PIPELINES_OUTPUT\""));

        var result = await _bed.RunAsync(attempt);

        Assert.Equal(AttemptResult.Exited(0, "{\"rows\": 3}"), result);
    }

    [Theory]
    [InlineData("rm \"$PIPELINES_OUTPUT\"; mkfifo \"$PIPELINES_OUTPUT\"", "$PIPELINES_OUTPUT was replaced: it is a FIFO (named pipe), not a regular file")]
    [InlineData("rm \"$PIPELINES_OUTPUT\"; ln -s /dev/zero \"$PIPELINES_OUTPUT\"", "$PIPELINES_OUTPUT was replaced: it is a character device, not a regular file")]
    [InlineData("rm \"$PIPELINES_OUTPUT\"; mkdir \"$PIPELINES_OUTPUT\"", "$PIPELINES_OUTPUT was replaced: it is a directory, not a regular file")]
    [InlineData("head -c 5000 /dev/zero > \"$PIPELINES_OUTPUT\"", "the output is 5000 bytes; the limit is 4096 bytes")]
    public async Task An_output_that_is_not_a_small_regular_file_is_refused_without_blocking(string script, string problem)
    {
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", script));

        var result = await _bed.RunAsync(attempt).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(AttemptOutcome.Exited, result.Outcome);
        Assert.Null(result.Output);
        Assert.StartsWith(problem, result.OutputProblem);
    }

    [Fact]
    public async Task A_long_line_is_forwarded_in_pieces_of_at_most_16_KiB_never_cutting_a_secret()
    {
        const string Secret = "s3cret-straddling-the-cut";
        _bed.Masker.Add(Secret);
        var sink = new RecordingSink();
        var before = AttemptLog.MaxLineLength - 10; // the secret starts 10 characters before the first cut
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c",
            $"head -c {before} /dev/zero | tr '\\0' a; printf '{Secret}'; head -c 40000 /dev/zero | tr '\\0' b; echo; echo next"));

        await _bed.RunAsync(attempt, sink);

        var lines = sink.Lines;
        Assert.Equal("next", lines[^1]);
        var pieces = lines.Take(lines.Count - 1).ToList();
        Assert.Equal(new string('a', before) + Secret + new string('b', 40000), string.Concat(pieces));
        Assert.All(pieces, p => Assert.InRange(p.Length, 1, AttemptLog.MaxLineLength));
        Assert.Single(pieces, p => p.Contains(Secret, StringComparison.Ordinal));
        Assert.Equal(new string('a', before), pieces[0]);
    }

    [Fact]
    public async Task Log_the_host_has_forwarded_is_freed_while_the_task_still_writes()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c",
            "i=0; while [ $i -lt 80000 ]; do echo \"line $i of a long log that the host forwards and frees\"; i=$((i+1)); done; echo written; " +
            "while [ ! -e \"$PIPELINES_OUTPUT.go\" ]; do sleep 0.01; done"));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var run = _bed.Runtime.RunAsync(attempt, sink, cancel.Token);
        await sink.LineAsync("written");
        var log = Directory.GetFiles(_bed.Runtime.WorkDirectory, "log", SearchOption.AllDirectories).Single();
        var (size, allocated) = SizeAndAllocated(log);
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(log)!, "output.json.go"), "");
        await run;

        Assert.True(size > 4 << 20, $"the log is {size} bytes");
        Assert.True(allocated < 2 << 20, $"{allocated} of the log's {size} bytes still take space");
    }

    [Fact]
    public async Task A_hosts_first_session_removes_the_empty_folders_other_stores_left_in_the_work_directory()
    {
        var workBase = Path.GetDirectoryName(_bed.Runtime.WorkDirectory)!;
        var empty = Directory.CreateDirectory(Path.Combine(workBase, "x" + Guid.NewGuid().ToString("N")[..11])).FullName;
        var busy = Directory.CreateDirectory(Path.Combine(workBase, "x" + Guid.NewGuid().ToString("N")[..11], "some-attempt")).Parent!.FullName;
        try
        {
            await _bed.RunAsync(ProcessTestBed.Resolve(t => t.Command("true")));

            Assert.False(Directory.Exists(empty));
            Assert.True(Directory.Exists(busy));
        }
        finally
        {
            Directory.Delete(busy, recursive: true);
        }
    }

    [Fact]
    public async Task No_output_is_null_and_the_attempt_directory_is_kept_until_its_end_is_recorded()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "echo \"$PIPELINES_OUTPUT\"; pwd; exit 3"));

        var result = await _bed.RunAsync(attempt, sink);
        var exit = File.ReadAllText(Path.Combine(Path.GetDirectoryName(sink.Lines[0])!, "exit")); // what a restarted host would read
        await _bed.Runtime.ForgetAsync(AttemptKey.Of(attempt));

        Assert.Null(result.Output);
        Assert.Equal("3\n", exit);
        var work = _bed.Runtime.WorkDirectory;
        Assert.StartsWith(work + "/", sink.Lines[0]);
        Assert.StartsWith(work + "/", sink.Lines[1]);
        Assert.False(File.Exists(sink.Lines[0]));
        Assert.False(Directory.Exists(sink.Lines[1]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
    }

    [Fact]
    public async Task Only_path_home_lang_and_tz_of_the_host_leak_into_the_environment()
    {
        Environment.SetEnvironmentVariable("PIPELINES_TEST_MUST_NOT_LEAK", "leak");
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t
            .Command("awk", "BEGIN { for (k in ENVIRON) print k \"=\" ENVIRON[k] }")
            .Env("LOG_LEVEL", "INFO"));

        await _bed.RunAsync(attempt, sink);

        var environment = sink.Lines.Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expected = new[] { "PATH", "HOME", "LANG", "TZ" }.Where(v => Environment.GetEnvironmentVariable(v) is not null)
            .Append("LOG_LEVEL").Append("PIPELINES_OUTPUT").Append("PIPELINES_ATTEMPT").Order(StringComparer.Ordinal);
        Assert.Equal(expected, environment.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), environment["PATH"]);
        Assert.Equal("INFO", environment["LOG_LEVEL"]);
        Assert.Equal(_bed.AttemptId(attempt), environment["PIPELINES_ATTEMPT"]);
        Assert.StartsWith(_bed.Runtime.WorkDirectory + "/", environment["PIPELINES_OUTPUT"]);
    }

    [Fact]
    public async Task A_task_starts_with_every_signal_at_its_default_whatever_the_host_ignores()
    {
        // .NET ignores SIGPIPE in every process, and a host started as a background job ignores SIGINT;
        // a child inherits what its parent ignores unless it is reset at the start.
        var host = IgnoredSignals("/proc/self/status");
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "grep SigIgn /proc/$$$$/status"));

        await _bed.RunAsync(attempt, sink);

        Assert.NotEqual(0UL, host & (1UL << (13 - 1))); // the test host ignores SIGPIPE
        var task = Convert.ToUInt64(Assert.Single(sink.Lines)["SigIgn:".Length..].Trim(), 16);
        Assert.Equal(0UL, task & ((1UL << (13 - 1)) | (1UL << (2 - 1)) | (1UL << (3 - 1))));
    }

    [Fact]
    public async Task A_task_cannot_override_the_output_and_attempt_variables()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "echo \"$PIPELINES_ATTEMPT\"").Env("PIPELINES_ATTEMPT", "forged"));

        await _bed.RunAsync(attempt, sink);

        Assert.Equal([_bed.AttemptId(attempt)], sink.Lines);
    }

    [Fact]
    public async Task Without_a_command_the_first_arg_is_the_program()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Args("sh", "-c", "echo via-args"));

        var result = await _bed.RunAsync(attempt, sink);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["via-args"], sink.Lines);
    }

    [Fact]
    public async Task No_shell_is_involved_unless_the_command_is_one()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("echo", "$HOME", "a;b", "*"));

        await _bed.RunAsync(attempt, sink);

        Assert.Equal(["$HOME a;b *"], sink.Lines);
    }

    [Fact]
    public async Task A_task_with_neither_command_nor_args_is_lost_naming_the_image()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(_ => { });

        var result = await _bed.RunAsync(attempt, sink);

        Assert.Equal(AttemptOutcome.Lost, result.Outcome);
        Assert.Contains("neither a command nor args", result.Reason);
        Assert.Contains("registry.localhost/etl/runner:1.0", result.Reason);
        Assert.Null(sink.Handle);
    }

    [Fact]
    public async Task A_program_not_on_path_is_lost()
    {
        var result = await _bed.RunAsync(ProcessTestBed.Resolve(t => t.Command("no-such-program-xyz", "--help")));

        Assert.Equal(AttemptOutcome.Lost, result.Outcome);
        Assert.Contains("'no-such-program-xyz' was not found on PATH", result.Reason);
    }

    [Fact]
    public async Task A_named_volume_keeps_what_one_attempt_wrote_for_the_next()
    {
        var first = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "echo hello > /data/x").Mount(Volume.Named("shared"), "/data"));
        var second = ProcessTestBed.Resolve(t => t.Command("cat", "/data/x").Mount(Volume.Named("shared"), "/data"), tryNumber: 2);
        var sink = new RecordingSink();

        Assert.Equal(0, (await _bed.RunAsync(first)).ExitCode);
        var result = await _bed.RunAsync(second, sink);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["hello"], sink.Lines);
        Assert.Equal("hello\n", File.ReadAllText(Path.Combine(_bed.Root, ".pipelines", "volumes", "shared", "x")));
    }

    [Fact]
    public async Task Mount_paths_are_rewritten_in_the_brief_shell_command_and_in_env_values()
    {
        var volume = Path.Combine(_bed.Root, ".pipelines", "volumes", "v");
        Directory.CreateDirectory(volume);
        File.WriteAllText(Path.Combine(volume, "a.csv"), "id\n1\n");
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t
            .Command("sh", "-c", "cat /data/a.csv > /data/b.csv; cp /data/a.csv \"${COPY:-/data/c.csv}\"; echo \"$OUT\"")
            .Env("OUT", "--out=/data/x")
            .Mount(Volume.Named("v"), "/data"));

        var result = await _bed.RunAsync(attempt, sink);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("id\n1\n", File.ReadAllText(Path.Combine(volume, "b.csv")));
        Assert.Equal("id\n1\n", File.ReadAllText(Path.Combine(volume, "c.csv"))); // a shell default is a path too
        Assert.Equal([$"--out={volume}/x"], sink.Lines);
    }

    [Fact]
    public async Task A_working_dir_under_a_mount_is_mapped_and_created()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("pwd").WorkingDir("/data/sub").Mount(Volume.Named("w"), "/data"));

        await _bed.RunAsync(attempt, sink);

        Assert.Equal([Path.Combine(_bed.Root, ".pipelines", "volumes", "w", "sub")], sink.Lines);
    }

    [Fact]
    public async Task A_working_dir_that_is_neither_mounted_nor_on_this_machine_is_lost()
    {
        var result = await _bed.RunAsync(ProcessTestBed.Resolve(t => t.Command("pwd").WorkingDir("/no-such-dir-of-the-image")));

        Assert.Equal(AttemptOutcome.Lost, result.Outcome);
        Assert.Contains("working dir '/no-such-dir-of-the-image'", result.Reason);
    }

    [Fact]
    public async Task A_temp_volume_lives_as_long_as_the_attempt()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "echo t > /scratch/f && cat /scratch/f && echo /scratch").Mount(Volume.Temp("1Gi"), "/scratch"));

        var result = await _bed.RunAsync(attempt, sink);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("t", sink.Lines[0]);
        Assert.StartsWith(_bed.Runtime.WorkDirectory + "/", sink.Lines[1]);
        await _bed.Runtime.ForgetAsync(AttemptKey.Of(attempt));
        Assert.False(Directory.Exists(sink.Lines[1]));
    }

    [Fact]
    public async Task A_host_path_volume_is_the_host_directory_itself()
    {
        var host = Path.Combine(_bed.Root, "input");
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "a.txt"), "from host");
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("cat", "/in/a.txt").Mount(Volume.HostPath(host), "/in", readOnly: true));

        await _bed.RunAsync(attempt, sink);

        Assert.Equal(["from host"], sink.Lines);
    }

    [Fact]
    public async Task A_sub_path_selects_a_directory_inside_the_volume()
    {
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "echo 1 > /data/x").Mount(Volume.Named("v"), "/data", subPath: "day/2026"));

        await _bed.RunAsync(attempt);

        Assert.True(File.Exists(Path.Combine(_bed.Root, ".pipelines", "volumes", "v", "day", "2026", "x")));
    }

    [Fact]
    public async Task A_config_map_is_lost_with_a_clear_reason()
    {
        var fromEnv = await _bed.RunAsync(ProcessTestBed.Resolve(t => t.Command("true").EnvFromConfigMap("app-config")));
        var asVolume = await _bed.RunAsync(ProcessTestBed.Resolve(t => t.Command("true").Mount(Volume.ConfigMap("cfg"), "/etc/cfg")));

        Assert.Equal(AttemptOutcome.Lost, fromEnv.Outcome);
        Assert.Contains("config map 'app-config' (envFrom) is not available to the process runtime", fromEnv.Reason);
        Assert.Equal(AttemptOutcome.Lost, asVolume.Outcome);
        Assert.Contains("config map 'cfg' (mount '/etc/cfg') is not available to the process runtime", asVolume.Reason);
    }

    [Fact]
    public async Task A_named_volume_that_could_escape_its_directory_is_lost()
    {
        // Build() and rendering refuse such a name; the runtime still guards a task made some other way.
        var attempt = ProcessTestBed.Resolve(t => t.Command("true").Mount(Volume.Named("data"), "/data"));
        attempt = attempt with { Task = attempt.Task with { Mounts = [new VolumeMount(Volume.Named("../etc"), "/data")] } };

        var result = await _bed.RunAsync(attempt);

        Assert.Equal(AttemptOutcome.Lost, result.Outcome);
        Assert.Contains("volume name '../etc'", result.Reason);
    }

    // The file's size and the bytes it occupies (du's apparent size and disk usage).
    private static (long Size, long Allocated) SizeAndAllocated(string path)
    {
        var start = new System.Diagnostics.ProcessStartInfo("stat", ["--format=%s %b %B", path]) { RedirectStandardOutput = true };
        using var stat = System.Diagnostics.Process.Start(start)!;
        var fields = stat.StandardOutput.ReadToEnd().Trim().Split(' ');
        stat.WaitForExit();
        return (long.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * long.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static ulong IgnoredSignals(string status) =>
        Convert.ToUInt64(File.ReadLines(status).Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))["SigIgn:".Length..].Trim(), 16);

    [Fact]
    public async Task The_process_runtime_expands_references_in_env_values_and_args()
    {
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t
            .Env("GREETING", "hello")
            .Env("MESSAGE", "$(GREETING) world, $(LATER)")
            .Env("LATER", "defined after")
            .Command("sh", "-c", "echo \"$MESSAGE\"; echo \"$1\"", "sh", "$(GREETING) from args, output at $(PIPELINES_OUTPUT)"));

        await _bed.RunAsync(attempt, sink);

        Assert.Equal("hello world, $(LATER)", sink.Lines[0]);
        Assert.StartsWith("hello from args, output at /", sink.Lines[1]);
        Assert.EndsWith("output.json", sink.Lines[1]);
    }
}
