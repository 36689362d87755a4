/**
 * The explorer's WebGL2 layer: one buffer of node positions and one of colours, uploaded
 * when they change; edges as a small line buffer. While the user pans or zooms, a frame moves
 * and scales a picture of the points drawn once (one rectangle); when the view rests, the
 * points are drawn again at the new scale (one draw call).
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

/** Draws the cached picture of the points as one textured rectangle (clip-space corners). */
const BLIT_VERTEX = `#version 300 es
uniform vec4 rect; // left, top, right, bottom in clip space
out vec2 uv;
void main() {
  vec2 corner = vec2(gl_VertexID & 1, gl_VertexID >> 1);
  uv = vec2(corner.x, 1.0 - corner.y);
  gl_Position = vec4(mix(rect.x, rect.z, corner.x), mix(rect.y, rect.w, corner.y), 0.0, 1.0);
}`;

const BLIT_FRAGMENT = `#version 300 es
precision mediump float;
in vec2 uv;
uniform sampler2D picture;
out vec4 outColour;
void main() {
  outColour = texture(picture, uv);
}`;

/**
 * The points are drawn into a texture a margin larger than the canvas on each side; a pan
 * or zoom only moves and scales that picture (one rectangle, whatever the node count) until
 * the explorer says the view has rested, or the size or colours change, and the points are
 * drawn afresh. Lines (a few edges) are drawn live on top.
 */
const MARGIN = 0.5;

export interface Scene {
  /** Node positions [n · 2]; the colours must follow with the same n. */
  setPositions(positions: Float32Array): void;
  /** RGBA bytes [n · 4]. */
  setColours(rgba: Uint8Array): void;
  /** Line segments: endpoints [m · 4] (x0, y0, x1, y1) and a colour per endpoint [m · 8]. */
  setLines(xy: Float32Array, rgba: Uint8Array): void;
  /** Draws with `view` into a canvas of width × height CSS pixels at `dpr`. */
  draw(view: View, width: number, height: number, dpr: number, pointSize: number): void;
  /** Draws the points afresh on the next draw (the view settled after a pan). */
  invalidate(): void;
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
  const program = link(gl, VERTEX, FRAGMENT);
  const blit = link(gl, BLIT_VERTEX, BLIT_FRAGMENT);
  const blitRect = gl.getUniformLocation(blit, "rect");
  const texture = gl.createTexture()!;
  const framebuffer = gl.createFramebuffer()!;
  /** What the texture holds: the points drawn with this view at this size, or nothing. */
  let cached: { view: View; w: number; h: number; tw: number; th: number } | undefined;
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
  /** Draws every point into the texture, the canvas plus a margin on each side. */
  const renderPoints = (
    view: View,
    width: number,
    height: number,
    dpr: number,
    pointSize: number,
    mx: number,
    my: number,
  ) => {
    const limit = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
    const tw = Math.min(limit, Math.round((width + 2 * mx) * dpr));
    const th = Math.min(limit, Math.round((height + 2 * my) * dpr));
    gl.bindTexture(gl.TEXTURE_2D, texture);
    if (cached?.tw !== tw || cached?.th !== th) {
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, tw, th, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
      // Linear: a zoom shows the picture scaled until the view rests and it is drawn afresh.
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
      gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.viewport(0, 0, tw, th);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.useProgram(program);
    // The texture's CSS box starts a margin left of and above the canvas.
    gl.uniform3f(at.view, view.a, view.b + mx, view.c + my);
    gl.uniform2f(at.size, width + 2 * mx, height + 2 * my);
    gl.uniform1f(at.pointSize, pointSize * dpr);
    // Below 3 device pixels a round mask costs time and shows no difference.
    gl.uniform1i(at.round, pointSize * dpr >= 3 ? 1 : 0);
    gl.bindVertexArray(points.vao);
    gl.drawArrays(gl.POINTS, 0, points.count);
    gl.bindVertexArray(null);
    return { view, w: Math.round(width * dpr), h: Math.round(height * dpr), tw, th };
  };
  return {
    setPositions(positions) {
      upload(points.position, positions);
      points.count = positions.length / 2;
      cached = undefined;
    },
    setColours(rgba) {
      upload(points.colour, rgba);
      cached = undefined;
    },
    invalidate() {
      cached = undefined;
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
      gl.enable(gl.BLEND);
      gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
      const [mx, my] = [width * MARGIN, height * MARGIN];
      if (!cached || cached.w !== w || cached.h !== h) {
        cached = renderPoints(view, width, height, dpr, pointSize, mx, my);
      }
      // The picture, moved by how far the view panned since it was drawn.
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      gl.viewport(0, 0, w, h);
      gl.clearColor(0, 0, 0, 0);
      gl.clear(gl.COLOR_BUFFER_BIT);
      // Where the picture lands under the current view: moved by a pan, scaled by a zoom
      // (a texture pixel u shows data x = (u − mx − b₀)/a₀, now at a·x + b).
      const k = view.a / cached.view.a;
      const left = view.b - k * (mx + cached.view.b);
      const top = view.c - k * (cached.view.c + my);
      const clipX = (x: number) => (x / width) * 2 - 1;
      const clipY = (y: number) => 1 - (y / height) * 2;
      gl.useProgram(blit);
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, texture);
      gl.uniform4f(
        blitRect,
        clipX(left),
        clipY(top),
        clipX(left + k * (width + 2 * mx)),
        clipY(top + k * (height + 2 * my)),
      );
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      if (lines.count > 0) {
        gl.useProgram(program);
        gl.uniform3f(at.view, view.a, view.b, view.c);
        gl.uniform2f(at.size, width, height);
        // gl_PointCoord is undefined for lines: the round mask would drop their fragments.
        gl.uniform1i(at.round, 0);
        gl.bindVertexArray(lines.vao);
        gl.drawArrays(gl.LINES, 0, lines.count);
        gl.bindVertexArray(null);
      }
    },
    dispose() {
      for (const l of [points, lines]) {
        gl.deleteBuffer(l.position);
        gl.deleteBuffer(l.colour);
        gl.deleteVertexArray(l.vao);
      }
      gl.deleteProgram(program);
      gl.deleteProgram(blit);
      gl.deleteTexture(texture);
      gl.deleteFramebuffer(framebuffer);
      // Frees the context now rather than when the page's GC gets to it (browsers cap contexts).
      gl.getExtension("WEBGL_lose_context")?.loseContext();
    },
  };
}

function link(gl: WebGL2RenderingContext, vertex: string, fragment: string): WebGLProgram {
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
  gl.attachShader(program, shader(gl.VERTEX_SHADER, vertex));
  gl.attachShader(program, shader(gl.FRAGMENT_SHADER, fragment));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
    throw new Error(`the explorer's shaders did not link: ${gl.getProgramInfoLog(program) ?? ""}`);
  }
  return program;
}
