#version 3.7;
// Insulated stainless steel tumbler, 600 ml, with lid.
// Variant 0 = brushed steel, 1 = matte black powder coat.
#include "studio.inc"

#if (Variant = 1)
  #declare BodyTex = texture {
    pigment { rgb 0.018 }
    normal { granite 0.06 scale 0.05 }
    finish { diffuse 0.7 ambient 0 specular 0.25 roughness 0.04
             reflection { 0.0, 0.06 fresnel on } }
  }
#else
  #declare BodyTex = texture { Brushed_Steel }
#end

#declare Cup = sor { 8,
  <3.6, -1>, <3.55, 0>, <3.75, 0.4>, <3.8, 1.0>, <4.25, 15.5>, <4.35, 16.6>,
  <4.35, 17.0>, <4.3, 18.0>
  texture { BodyTex }
  interior { ior 1.5 }
}
#declare Rim = difference {
  cylinder { <0, 16.0, 0>, <0, 17.0, 0>, 4.37 }
  cylinder { <0, 15.9, 0>, <0, 17.1, 0>, 4.0 }
  texture { Brushed_Steel }
}
#declare LidTex = texture {
  pigment { rgb 0.03 }
  finish { diffuse 0.6 ambient 0 specular 0.45 roughness 0.01
           reflection { 0.02, 0.2 fresnel on } conserve_energy }
}
#declare Lid = union {
  object { Round_Cylinder(<0, 16.9, 0>, <0, 18.6, 0>, 4.5, 0.45, 1) }
  // sliding mouth cover
  object { Round_Box(<-1.1, 18.4, -3.9>, <1.1, 18.95, -1.6>, 0.25, 1) }
  texture { LidTex }
  interior { ior 1.5 }
}

union { object { Cup } object { Rim } object { Lid } rotate y*15 }
Shoot(<0, 9.4, 0>, 23.5, 14, 0)
Flags(40)
