/**
 * The explorer's WebGL2 layer: one buffer of node positions and one of colours, uploaded
 * when they change; edges as a small line buffer. Pan and zoom change a uniform only, so a
 * frame is one draw call for the points and one for the lines, even at a million nodes.
 */
import type { View } from "./view.js";

const VERTEX = `#version 300 es
in vec2 position;
in vec4 colour;
uniform vec3 view;      // screen = (a·x + b, c − a·y), CSS pixels
uniform vec2 size;      // canvas size, CSS pixels
uniform float pointSize; // device pixels
out vec4 vColour;
void main() {
  vec2 s = vec2(view.x * position.x + view.y, view.z - view.x * position.y);
  gl_Position = vec4(s.x / size.x * 2.0 - 1.0, 1.0 - s.y / size.y * 2.0, 0.0, 1.0);
  gl_PointSize = pointSize;
  vColour = colour;
}`;

const FRAGMENT = `#version 300 es
precision mediump float;
in vec4 vColour;
uniform bool round;
out vec4 outColour;
void main() {
  if (round) {
    vec2 d = gl_PointCoord - 0.5;
    if (dot(d, d) > 0.25) discard;
  }
  outColour = vec4(vColour.rgb * vColour.a, vColour.a);
}`;

export interface Scene {
  /** Node positions [n · 2]; the colours must follow with the same n. */
  setPositions(positions: Float32Array): void;
  /** RGBA bytes [n · 4]. */
  setColours(rgba: Uint8Array): void;
  /** Line segments: endpoints [m · 4] (x0, y0, x1, y1) and a colour per endpoint [m · 8]. */
  setLines(xy: Float32Array, rgba: Uint8Array): void;
  /** Draws with `view` into a canvas of width × height CSS pixels at `dpr`. */
  draw(view: View, width: number, height: number, dpr: number, pointSize: number): void;
  dispose(): void;
}

interface Layer {
  vao: WebGLVertexArrayObject;
  position: WebGLBuffer;
  colour: WebGLBuffer;
  count: number;
}

/**
 * A scene on `canvas`; throws when the browser gives no WebGL2 context (the widget says so).
 *
 * @example
 * const scene = createScene(canvas);
 * scene.setPositions(xy); scene.setColours(rgba);
 * scene.draw(view, 600, 400, devicePixelRatio, 3);
 */
export function createScene(canvas: HTMLCanvasElement): Scene {
  const gl = canvas.getContext("webgl2", {
    antialias: false,
    premultipliedAlpha: true,
    alpha: true,
  });
  if (!gl) throw new Error("this browser gives no WebGL2 context, which the explorer draws with");
  const program = link(gl);
  const at = {
    position: gl.getAttribLocation(program, "position"),
    colour: gl.getAttribLocation(program, "colour"),
    view: gl.getUniformLocation(program, "view"),
    size: gl.getUniformLocation(program, "size"),
    pointSize: gl.getUniformLocation(program, "pointSize"),
    round: gl.getUniformLocation(program, "round"),
  };
  const layer = (): Layer => {
    const vao = gl.createVertexArray()!;
    const position = gl.createBuffer()!;
    const colour = gl.createBuffer()!;
    gl.bindVertexArray(vao);
    gl.bindBuffer(gl.ARRAY_BUFFER, position);
    gl.enableVertexAttribArray(at.position);
    gl.vertexAttribPointer(at.position, 2, gl.FLOAT, false, 0, 0);
    gl.bindBuffer(gl.ARRAY_BUFFER, colour);
    gl.enableVertexAttribArray(at.colour);
    gl.vertexAttribPointer(at.colour, 4, gl.UNSIGNED_BYTE, true, 0, 0);
    gl.bindVertexArray(null);
    return { vao, position, colour, count: 0 };
  };
  const points = layer();
  const lines = layer();
  const upload = (buffer: WebGLBuffer, data: ArrayBufferView): void => {
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
  };
  return {
    setPositions(positions) {
      upload(points.position, positions);
      points.count = positions.length / 2;
    },
    setColours(rgba) {
      upload(points.colour, rgba);
    },
    setLines(xy, rgba) {
      upload(lines.position, xy);
      upload(lines.colour, rgba);
      lines.count = xy.length / 2;
    },
    draw(view, width, height, dpr, pointSize) {
      const w = Math.max(1, Math.round(width * dpr));
      const h = Math.max(1, Math.round(height * dpr));
      if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
      gl.viewport(0, 0, w, h);
      gl.clearColor(0, 0, 0, 0);
      gl.clear(gl.COLOR_BUFFER_BIT);
      gl.enable(gl.BLEND);
      gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
      gl.useProgram(program);
      gl.uniform3f(at.view, view.a, view.b, view.c);
      gl.uniform2f(at.size, width, height);
      gl.uniform1f(at.pointSize, pointSize * dpr);
      // Below 3 device pixels a round mask costs time and shows no difference.
      gl.uniform1i(at.round, pointSize * dpr >= 3 ? 1 : 0);
      gl.bindVertexArray(points.vao);
      gl.drawArrays(gl.POINTS, 0, points.count);
      if (lines.count > 0) {
        // gl_PointCoord is undefined for lines: the round mask would drop their fragments.
        gl.uniform1i(at.round, 0);
        gl.bindVertexArray(lines.vao);
        gl.drawArrays(gl.LINES, 0, lines.count);
      }
      gl.bindVertexArray(null);
    },
    dispose() {
      for (const l of [points, lines]) {
        gl.deleteBuffer(l.position);
        gl.deleteBuffer(l.colour);
        gl.deleteVertexArray(l.vao);
      }
      gl.deleteProgram(program);
      // Frees the context now rather than when the page's GC gets to it (browsers cap contexts).
      gl.getExtension("WEBGL_lose_context")?.loseContext();
    },
  };
}

function link(gl: WebGL2RenderingContext): WebGLProgram {
  const shader = (type: number, source: string): WebGLShader => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, source);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) {
      throw new Error(`the explorer's shader did not compile: ${gl.getShaderInfoLog(s) ?? ""}`);
    }
    return s;
  };
  const program = gl.createProgram()!;
  gl.attachShader(program, shader(gl.VERTEX_SHADER, VERTEX));
  gl.attachShader(program, shader(gl.FRAGMENT_SHADER, FRAGMENT));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
    throw new Error(`the explorer's shaders did not link: ${gl.getProgramInfoLog(program) ?? ""}`);
  }
  return program;
}
