/**
 * Throughput of the ECG generator and the R-wave detector at the engine's 500 Hz.
 * Usage: node scripts/bench-ecg.ts [seconds of simulated signal, default 3600]
 * Timing is this process's CPU time (user + system), which other processes on a busy machine do not inflate;
 * wall time is printed alongside.
 */
import { createRDetector } from '../sim/detect/index.ts';
import { createEcgGenerator, type EcgDef } from '../sim/ecg/index.ts';
import { createRng } from '../sim/rng.ts';

const SAMPLE_RATE_HZ = 500;
const simulatedS = Number(process.argv[2] ?? 3600);
const sampleCount = Math.round(simulatedS * SAMPLE_RATE_HZ);

const scenarios: Record<string, EcgDef> = {
  'clean sinus 70 bpm': { rhythm: { heartRateBpm: 70 } },
  'noisy sinus + ectopy': {
    rhythm: { heartRateBpm: 80, pacPerMinute: 3, pvcPerMinute: 6 },
    artefacts: { baselineWanderMv: 0.3, muscleNoiseMv: 0.05, mainsHumMv: 0.1, electrodeMotionPerMinute: 2 },
  },
  'AF 100 bpm': { rhythm: { heartRateBpm: 100, atrialFibrillation: true } },
};

interface Elapsed {
  cpuMs: number;
  wallMs: number;
}

function measure(run: () => void): Elapsed {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  run();
  const wallMs = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
}

function samplesPerSecond(count: number, elapsed: Elapsed): string {
  const perSampleUs = (ms: number): string => ((ms * 1000) / count).toFixed(3);
  const rate = (count / elapsed.cpuMs / 1000).toFixed(2);
  return `${rate} M samples/s (${perSampleUs(elapsed.cpuMs)} us/sample CPU, ${perSampleUs(elapsed.wallMs)} wall)`;
}

for (const [name, def] of Object.entries(scenarios)) {
  const signal = new Float64Array(sampleCount);
  // Warm-up so the JIT has compiled both hot paths.
  const warmGenerator = createEcgGenerator(def, createRng(2), SAMPLE_RATE_HZ);
  const warmDetector = createRDetector(SAMPLE_RATE_HZ);
  for (let i = 0; i < 300 * SAMPLE_RATE_HZ; i++) warmDetector.push(warmGenerator.nextSample());

  const generator = createEcgGenerator(def, createRng(1), SAMPLE_RATE_HZ);
  let beats = 0;
  const generatorTime = measure(() => {
    for (let i = 0; i < sampleCount; i++) {
      signal[i] = generator.nextSample();
      if (generator.takeBeat() !== null) beats++;
    }
  });

  const detector = createRDetector(SAMPLE_RATE_HZ);
  let detections = 0;
  const detectorTime = measure(() => {
    for (let i = 0; i < sampleCount; i++) if (detector.push(signal[i] as number)) detections++;
  });

  const combined = {
    cpuMs: generatorTime.cpuMs + detectorTime.cpuMs,
    wallMs: generatorTime.wallMs + detectorTime.wallMs,
  };
  console.log(`${name}: ${simulatedS} s simulated, ${beats} beats, ${detections} detections`);
  console.log(`  generator ${samplesPerSecond(sampleCount, generatorTime)}`);
  console.log(`  detector  ${samplesPerSecond(sampleCount, detectorTime)}`);
  const realTimeFactor = simulatedS / (combined.cpuMs / 1000);
  console.log(`  combined  ${samplesPerSecond(sampleCount, combined)}, ${realTimeFactor.toFixed(0)}x real time`);
}
