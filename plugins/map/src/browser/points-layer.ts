import { picking, project32, type DefaultProps, type Layer, type LayerProps } from '@deck.gl/core';
import type { Model } from '@luma.gl/engine';
import type { ShaderModule } from '@luma.gl/shadertools';
import type { Texture } from '@luma.gl/core';
import { VertexLayer } from './vertex-layer.js';

/**
 * The observations as round dots (or, zoomed in, their category's icon), one GL point each.
 *
 * deck.gl's ScatterplotLayer draws a quad per point as an instance. Where WebGL runs on the CPU
 * (SwiftShader: headless, virtual machines, old hardware) instancing costs ~30 µs a point, so a
 * frame of 100k points took ~5 s; one vertex per point, drawn as a GL point sprite, takes a fifth
 * of that. A GPU draws either in parallel. The points are shaped in the fragment shader: a disc
 * with a ring, or the category's cell of an icon atlas. Picking and highlighting are deck.gl's,
 * per vertex. (A point is clipped by its centre: a dot whose centre is just off the canvas is not
 * drawn, though its edge would be in view. Fine for dots a few pixels wide.)
 */
export interface PointsLayerProps extends LayerProps {
  data: { length: number; attributes: { getPosition: BinaryAttribute; getFillColor: BinaryAttribute; getIconSlot: BinaryAttribute } };
  /** Radius of a dot, in CSS pixels, inside its ring. */
  radiusPixels?: number;
  lineWidthPixels?: number;
  lineColor?: [number, number, number];
  /** The icons side by side in one image, square cells; a point's `getIconSlot` names its cell (−1: a dot). */
  iconAtlas?: HTMLCanvasElement | null;
  iconCount?: number;
  iconSizePixels?: number;
  showIcons?: boolean;
}

interface BinaryAttribute {
  value: ArrayLike<number> & ArrayBufferView;
  size: number;
  normalized?: boolean;
}

interface PointsUniforms {
  radiusPixels: number;
  lineWidthPixels: number;
  lineColor: [number, number, number];
  iconSizePixels: number;
  iconCount: number;
  showIcons: number;
  maxPointSize: number;
  iconAtlas: Texture;
}

const uniformBlock = /* glsl */ `\
layout(std140) uniform pointsUniforms {
  float radiusPixels;
  float lineWidthPixels;
  vec3 lineColor;
  float iconSizePixels;
  float iconCount;
  float showIcons;
  float maxPointSize;
} points;
`;

const pointsUniforms = {
  name: 'points',
  vs: uniformBlock,
  fs: uniformBlock,
  uniformTypes: {
    radiusPixels: 'f32',
    lineWidthPixels: 'f32',
    lineColor: 'vec3<f32>',
    iconSizePixels: 'f32',
    iconCount: 'f32',
    showIcons: 'f32',
    maxPointSize: 'f32',
  },
} as const satisfies ShaderModule<PointsUniforms>;

const vs = /* glsl */ `\
#version 300 es
#define SHADER_NAME cairn-points-vertex-shader
in vec3 positions;
in vec3 positions64Low;
in vec4 fillColors;
in float iconSlots;
in vec3 pickingColors;
out vec4 vFillColor;
out float vIconSlot;
out float vEdge;
void main(void) {
  geometry.worldPosition = positions;
  geometry.pickingColor = pickingColors;
  bool icon = points.showIcons > 0.5 && iconSlots >= 0.0;
  vIconSlot = icon ? iconSlots : -1.0;
  float size = icon ? points.iconSizePixels : 2.0 * (points.radiusPixels + points.lineWidthPixels);
  // Device pixels, within what the GL can draw (a ring then scales with the point).
  float devicePixels = min(size * project.devicePixelRatio, points.maxPointSize);
  gl_PointSize = devicePixels;
  // Half a device pixel, in units of the point's radius: the width of the smoothed edges.
  vEdge = 1.0 / devicePixels;
  gl_Position = project_position_to_clipspace(positions, positions64Low, vec3(0.0), geometry.position);
  DECKGL_FILTER_GL_POSITION(gl_Position, geometry);
  vFillColor = vec4(fillColors.rgb, fillColors.a * layer.opacity);
  DECKGL_FILTER_COLOR(vFillColor, geometry);
}
`;

const fs = /* glsl */ `\
#version 300 es
#define SHADER_NAME cairn-points-fragment-shader
precision highp float;
uniform sampler2D iconAtlas;
in vec4 vFillColor;
in float vIconSlot;
in float vEdge;
out vec4 fragColor;
void main(void) {
  // 0 at the centre, 1 at the point's edge.
  float distance = length(gl_PointCoord - 0.5) * 2.0;
  float inner = points.radiusPixels / (points.radiusPixels + points.lineWidthPixels);
  if (vIconSlot >= 0.0) {
    // The icon over a white disc with a 2-pixel ring in its category's colour.
    float ring = 1.0 - 4.0 / points.iconSizePixels;
    vec4 texel = texture(iconAtlas, vec2((vIconSlot + gl_PointCoord.x) / points.iconCount, gl_PointCoord.y));
    vec4 disc = mix(vec4(1.0), vec4(vFillColor.rgb, 1.0), smoothstep(ring - vEdge, ring + vEdge, distance));
    fragColor = vec4(mix(disc.rgb, texel.rgb, texel.a), 1.0);
    fragColor.a = 1.0 - smoothstep(1.0 - 2.0 * vEdge, 1.0, distance);
  } else {
    float isLine = points.lineWidthPixels > 0.0 ? smoothstep(inner - vEdge, inner + vEdge, distance) : 0.0;
    fragColor = mix(vFillColor, vec4(points.lineColor, vFillColor.a), isLine);
    fragColor.a *= 1.0 - smoothstep(1.0 - 2.0 * vEdge, 1.0, distance);
  }
  if (fragColor.a <= 0.0) discard;
  geometry.uv = gl_PointCoord;
  DECKGL_FILTER_COLOR(fragColor, geometry);
}
`;

const defaultProps: DefaultProps<PointsLayerProps> = {
  radiusPixels: 5,
  lineWidthPixels: 1,
  lineColor: [255, 255, 255],
  iconAtlas: { type: 'image', value: null, async: true },
  iconCount: 1,
  iconSizePixels: 28,
  showIcons: false,
};

/** GL_ALIASED_POINT_SIZE_RANGE. */
const ALIASED_POINT_SIZE_RANGE = 0x846d;

export class PointsLayer extends VertexLayer<Required<Omit<PointsLayerProps, keyof LayerProps>> & LayerProps> {
  static override layerName = 'CairnPointsLayer';
  static override defaultProps = defaultProps;
  protected readonly topology = 'point-list';
  declare state: { model?: Model; emptyAtlas?: Texture; maxPointSize: number };

  override getShaders() {
    return super.getShaders({ vs, fs, modules: [project32, picking, pointsUniforms] });
  }

  override initializeState(): void {
    const attributes = this.getAttributeManager()!;
    // One vertex per point: every attribute steps per vertex, the picking colours too.
    attributes.remove(['instancePickingColors']);
    attributes.add({
      positions: { size: 3, type: 'float64', fp64: this.use64bitPositions(), accessor: 'getPosition' },
      fillColors: { size: 4, type: 'unorm8', accessor: 'getFillColor', defaultValue: [0, 0, 0, 255] },
      iconSlots: { size: 1, accessor: 'getIconSlot', defaultValue: -1 },
      pickingColors: { size: 4, type: 'uint8', noAlloc: true, update: this.calculateInstancePickingColors },
    });
    const device = this.context.device as unknown as { gl?: WebGL2RenderingContext };
    const range = device.gl?.getParameter(ALIASED_POINT_SIZE_RANGE) as Float32Array | undefined;
    this.setState({
      maxPointSize: range?.[1] ?? 64,
      emptyAtlas: this.context.device.createTexture({ width: 1, height: 1, data: new Uint8Array(4) }),
    });
  }

  override finalizeState(context: Parameters<Layer['finalizeState']>[0]): void {
    super.finalizeState(context);
    this.state.emptyAtlas?.destroy();
  }

  override draw(): void {
    const { model, emptyAtlas, maxPointSize } = this.state;
    if (!model) return;
    const { radiusPixels, lineWidthPixels, lineColor, iconSizePixels, iconCount, showIcons } = this.props;
    const atlas = this.props.iconAtlas as unknown as Texture | null;
    model.shaderInputs.setProps({
      points: {
        radiusPixels,
        lineWidthPixels,
        lineColor: lineColor.map((channel) => channel / 255) as [number, number, number],
        iconSizePixels,
        iconCount: Math.max(1, iconCount),
        showIcons: showIcons && atlas !== null ? 1 : 0,
        maxPointSize,
      },
    });
    model.setBindings({ iconAtlas: atlas ?? emptyAtlas! });
    this.drawVertices(model);
  }
}
